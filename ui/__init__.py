"""The desktop app (PySide6). It never imports chromadb, llama_cpp or mss: it calls the
same services as the command line (assistant.services.Familiar), off the GUI thread."""

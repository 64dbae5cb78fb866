"""Errors a person sees. Each message says what happened and what to do next."""


class FamiliarError(Exception):
    """Base class: the CLI prints the message on one line and exits non-zero."""

    exit_code = 1


class UsageError(FamiliarError):
    exit_code = 2


class ModelError(FamiliarError):
    """The language model could not be loaded or did not answer."""


class ModelOutputError(ModelError):
    """The model answered, but not with what the schema asked for."""


class StorageError(FamiliarError):
    """The data directory or one of its stores cannot be used."""

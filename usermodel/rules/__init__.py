"""Model-independent extraction: rules that turn what the user wrote into
candidate propositions about them.

``extract(obs, previous)`` (in :mod:`usermodel.rules.extract`, re-exported by
:mod:`usermodel.extraction`) reads one observation (a chat message the user
sent, a note, an edit) and returns :class:`~memory.models.Candidate` objects
such as "The user is vegetarian." with honest ``confidence`` and ``decay``.
No language model is involved: the text is split into sentences and clauses,
each clause is checked for a first-person subject ("I", "my ...", "my wife and
I", "every morning I"), the verb phrase after it is read (auxiliaries,
negation, hedges, frequency adverbs), and the verb class decides the kind of
proposition (preference, dislike, identity, habit, plan, constraint, fact,
state).  Requests, questions, instructions, role-play prompts, hypotheticals,
code, pasted logs and material handed over to work on ("Proofread this: ...")
yield nothing; self-disclosure inside a request ("Since I follow a gluten-free
diet, can you ...") still counts, at lower confidence.  When the user's
message answers an assistant message that offered options, a ``choice``
candidate records which option they picked ("...; they turned down the
others." when the user said so, "...; they picked it over the others."
otherwise).

Confidence: explicit identity, diet, allergy, strong like or dislike ~8; plain
"I like X" 7; the same said in passing inside a request 2 lower; hedged
("maybe", "kind of", "I think I might") at most 4; task context ("I have a
dataset with 3 columns") 3.  Decay: identity and health 9, preferences 7-8,
habits 6, choices 6, plans 3, task context 2, passing states ("I'm tired
today") 1.

All of it is standard library, linear in the length of the text (no regular
expression here can backtrack catastrophically: every repetition is bounded or
over disjoint character classes), and takes well under a millisecond for a
typical chat message.

Modules, in the order the text goes through them:

* :mod:`.text`: prose lines (code and logs dropped), sentences, quote masking;
* :mod:`.clauses`: sentences into clauses; is a clause a request;
* :mod:`.analyse`: one clause: its subject, framing, modifiers;
* :mod:`.classify`: what follows the subject -> kind, confidence, decay,
  polarity, with :mod:`.verbs` (the verb phrase), :mod:`.copula` ("I am ..."),
  :mod:`.have` ("I have ...") and :mod:`.subjects` ("my ...", "X makes me ...");
* :mod:`.verdicts`: the :class:`~usermodel.rules.verdicts.Verdict` a rule
  answers, and helpers the rules share;
* :mod:`.choices`: a reply read as a pick among options the assistant offered;
* :mod:`.extract`: the entry point that ties them together;
* :mod:`.lexicon`: the word classes and patterns all of them use.
"""

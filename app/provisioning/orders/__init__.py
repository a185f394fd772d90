"""IT orders (seeds 002 and 004): lifecycle checklists for a person or an organisation, generated from catalogues.

A catalogue (``catalogues/*.yaml``) is the data of one routine document: the target systems, who orders each and
how, the questions asked at order time, the lifecycle events and, per event, the task for each system with its
conditions, prerequisites, fan-out and ordering. ``loader`` reads and checks a catalogue, ``answers`` checks what
an order answered, ``checklist`` turns both into ordered tasks, ``lead_time`` says whether a date can still be met.
"""

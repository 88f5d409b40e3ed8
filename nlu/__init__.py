"""Text → grounded graph entities: intent, mentions with polarity, constraints (see `nlu.types`)."""

"""The semantics stage: names, units and completeness checked, lowered into the model, and every decision of the contract made once."""

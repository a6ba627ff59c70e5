"""The audio system: which audio a learner hears, how it is made, stored, checked and served."""

"""One module per kind of edge, PMapper-style; each asks the engine about candidate pairs."""

"""Who may see and do what: the one access policy of Fangfan (see `policy.py`)."""

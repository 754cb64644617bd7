"""The briefings part's pages: the issues (``issues``) and the experience items (``items``)."""

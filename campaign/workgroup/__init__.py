"""The campaign's working groups (S4): the city's and each county's 专项整治工作领导小组, its
named roles and its liaison contacts. ``policy`` says who reads and edits a group,
``selectors`` reads (scoped), ``services`` writes (audited)."""

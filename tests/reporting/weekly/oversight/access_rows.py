"""Access-matrix rows of the weekly oversight part's URLs: tests/test_access_matrix.py adds them
to MATRIX.

A function, so that this module may import the matrix's Row and cell constants without a
circular import; keep the objects the rows need (their kwargs, prepare and check helpers) here.
"""


def rows():
    return {}

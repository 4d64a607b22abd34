# Root conftest: puts the repository root on sys.path so tests import the packages
# from the working tree without an install.

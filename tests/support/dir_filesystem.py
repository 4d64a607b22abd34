"""A real, non-local Beam file system for tests: `themistest://PATH` is the file ROOT/PATH.

Importing this module registers the scheme with Beam's FileSystems (subclasses register
themselves). Anything that opens a `themistest://` path with plain `open()` or `os` instead of
FileSystems either fails or writes under a directory literally named `themistest:` in the
current directory, which the tests look for. ROOT is $THEMIS_TEST_FS_ROOT.
"""
from __future__ import annotations

import os

from apache_beam.io.filesystem import FileMetadata, FileSystem
from apache_beam.io.localfilesystem import LocalFileSystem

SCHEME = "themistest"
PREFIX = f"{SCHEME}://"


class DirFileSystem(FileSystem):
    """Every operation on ROOT's files through Beam's LocalFileSystem, under another scheme."""

    def __init__(self, pipeline_options=None):
        super().__init__(pipeline_options)
        self._disk = LocalFileSystem(pipeline_options)

    @classmethod
    def scheme(cls) -> str:
        return SCHEME

    @staticmethod
    def local(path: str) -> str:
        assert path.startswith(PREFIX), path
        return os.path.join(os.environ["THEMIS_TEST_FS_ROOT"], path[len(PREFIX):].lstrip("/"))

    @staticmethod
    def url(local_path: str) -> str:
        return PREFIX + os.path.relpath(local_path, os.environ["THEMIS_TEST_FS_ROOT"])

    def join(self, basepath, *paths):
        return "/".join([basepath.rstrip("/"), *(p.strip("/") for p in paths)])

    def split(self, path):
        head, _, tail = path.rstrip("/").rpartition("/")
        return head, tail

    def has_dirs(self):
        return True

    def mkdirs(self, path):
        self._disk.mkdirs(self.local(path))

    def _list(self, dir_or_prefix):
        for meta in self._disk._list(self.local(dir_or_prefix)):
            yield FileMetadata(self.url(meta.path), meta.size_in_bytes, meta.last_updated_in_seconds)

    def create(self, path, *args, **kwargs):
        return self._disk.create(self.local(path), *args, **kwargs)

    def open(self, path, *args, **kwargs):
        return self._disk.open(self.local(path), *args, **kwargs)

    def copy(self, source_file_names, destination_file_names):
        self._disk.copy([self.local(p) for p in source_file_names], [self.local(p) for p in destination_file_names])

    def rename(self, source_file_names, destination_file_names):
        self._disk.rename([self.local(p) for p in source_file_names],
                          [self.local(p) for p in destination_file_names])

    def exists(self, path):
        return self._disk.exists(self.local(path))

    def size(self, path):
        return self._disk.size(self.local(path))

    def last_updated(self, path):
        return self._disk.last_updated(self.local(path))

    def checksum(self, path):
        return self._disk.checksum(self.local(path))

    def metadata(self, path):
        meta = self._disk.metadata(self.local(path))
        return FileMetadata(path, meta.size_in_bytes, meta.last_updated_in_seconds)

    def delete(self, paths):
        self._disk.delete([self.local(p) for p in paths])

    def report_lineage(self, path, unused_lineage, level=None):
        return None

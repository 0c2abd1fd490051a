"""tinyids: a PlatformIO development platform for offline builds with Debian's cross compilers.

PlatformIO derives the class name from the platform name (`tinyids` -> `TinyidsPlatform`).
Nothing is fetched from a registry: the toolchains are Debian packages on PATH and the only
PlatformIO core package needed (`tool-scons`) is provisioned from PyPI's scons by
`python -m tinyids.firmware.provision`.
"""

from platformio.public import PlatformBase


class TinyidsPlatform(PlatformBase):
    def is_embedded(self):
        return True

    def get_boards(self, id_=None):
        return super().get_boards(id_)

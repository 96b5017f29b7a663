"""Memory backends behind one interface (see base.Memory)."""

from .base import Memory
from .cache import PageCache
from .image import ImageMemory

__all__ = ["Memory", "PageCache", "ImageMemory"]

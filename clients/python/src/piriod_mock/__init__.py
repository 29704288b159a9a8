"""piriod-mock from Python: a client of its admin API and a pytest fixture (piriod_mock.pytest_plugin)."""
from .client import Clock, PiriodMock, PiriodMockError

__all__ = ["Clock", "PiriodMock", "PiriodMockError"]
__version__ = "0.2.0"

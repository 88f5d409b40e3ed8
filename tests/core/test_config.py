"""Settings that would leave the service open where the operator meant to close it are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.config import Settings


def test_a_read_key_without_an_api_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="writes would be open"):
        Settings(api_read_key="read-only-key")
    both = Settings(api_read_key="read-only-key", api_key="write-key")
    assert both.api_read_key is not None and both.protect_reads

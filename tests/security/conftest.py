"""Schemathesis' tests get one id per operation."""
from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis makes one test per API operation, named `test_…[POST /api/chat]`, but under pytest 9 they all
    get the bare function's id. pytest-xdist's group scheduling keys tests by id and would run one operation per
    function, so each gets its operation as its id's parameter (pytest 9's `NodeId`; the root conftest refuses
    duplicate ids, so a change here cannot silently drop tests)."""
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if label and node_id is not None and getattr(node_id, "params", "") is None:
            item._id = node_id.with_params(label)

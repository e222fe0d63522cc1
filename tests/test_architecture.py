"""The house's shape is a contract (pyproject.toml, [tool.importlinter]): the layers run one way
(views → runtime → services → documents → reference data → models) and no module imports back
into a circle. import-linter reads the code's imports, those made inside functions included."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def kept(contract: str) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--contract", contract], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("contract", ["layers", "no-circles"])
def test_the_imports_keep_the_contract(contract):
    checked = kept(contract)
    assert checked.returncode == 0, checked.stdout + checked.stderr

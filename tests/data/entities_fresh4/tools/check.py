"""Validate the fourth fresh entity set (the seventh set) with the sealed set's checker (same rules).

Usage: python3 tools/check.py [--candidates]
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.argv[1:1] = [str(HERE.parent)]
runpy.run_path(str(HERE.parents[1] / "entities_sealed" / "tools" / "check.py"), run_name="__main__")

"""Bundled example reviews, built from data files shipped in the package.

``build_example(DIR)`` makes the reference review (Chang et al. 2021, peer
involvement in HIV and harm reduction services in low- and middle-income
countries) in ``DIR``; see docs/example.md.
"""

from .build import EXAMPLES, build_example, example_data, list_examples

__all__ = ["EXAMPLES", "build_example", "example_data", "list_examples"]

"""``python -m iamlab``: the same as the ``iamlab`` command."""

from iamlab.cli import main

raise SystemExit(main())

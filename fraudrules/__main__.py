from fraudrules.cli import main

raise SystemExit(main())

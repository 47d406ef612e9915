from earshot_sync.collector.cli import main

raise SystemExit(main())

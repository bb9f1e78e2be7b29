import signal

from bench.run import _stop_on_sigterm, main

signal.signal(signal.SIGTERM, _stop_on_sigterm)
raise SystemExit(main())

"""The loopback benchmark (``bench.run``) and a profiler (``bench.profile``); the data generator they use is
``community.scale`` (``community seed-scale``), which ships with the package."""

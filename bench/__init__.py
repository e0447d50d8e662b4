"""Scale tools: a bulk data generator (``bench.generate``) and a loopback benchmark (``bench.run``)."""

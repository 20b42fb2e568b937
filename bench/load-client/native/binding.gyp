{
  "targets": [
    {
      "target_name": "udp_sink",
      "sources": ["udp_sink.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "belfry_relay",
      "sources": ["src/rtp/native/relay.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpthread"]
    }
  ]
}

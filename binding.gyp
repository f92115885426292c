{
  "targets": [
    {
      "target_name": "belfry_native",
      "sources": ["src/common/native/addon.c", "src/rtp/native/relay.c", "src/sip/transport/native/udp.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpthread"]
    }
  ]
}

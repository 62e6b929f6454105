// jemalloc's settings for custhub's executables (compiled into each
// executable, not a library, so the linker keeps the symbol). The
// MALLOC_CONF environment variable still overrides them.
//
// thp: fresh pages come as 2 MiB transparent huge pages. On the VMs custhub
// was measured on, a 4 KiB page fault costs ~12 us, so copying a batch into
// fresh memory (memtable arenas, batch buffers) cost ~15x the copy itself;
// with huge pages the engine ran ~25% faster (bench/README.md, second
// pass; the thirteenth pass measured no difference on a faster VM).
// background_thread: purging freed pages happens off the poll thread.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf =
    "thp:always,metadata_thp:always,background_thread:true";
}

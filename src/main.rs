/// jemalloc instead of the system allocator where it builds: a large report
/// allocates millions of small runs, lines and strings on both cores, and
/// glibc's malloc took a fifth of the time of `pdca collect` (perf). Freed
/// memory goes back to the system within a second, which keeps the peaks
/// of the report's stages apart (measured: 1,000 submissions with the PDF
/// about 10 % faster, and less peak memory than glibc).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options (read by jemalloc itself at start). With
/// `background_thread`, a thread of jemalloc's returns freed pages to the
/// system; without it, every thread that ends purges its arena at once
/// (`madvise` and a TLB shootdown on every core), and rust_xlsxwriter ends
/// a thread per worksheet it saves: a sixth of `pdca distribute`'s time
/// (1,000 centres × 6 sheets, perf).
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 60] = b"dirty_decay_ms:1000,muzzy_decay_ms:0,background_thread:true\0";

fn main() {
    std::process::exit(keikaku::cli::main());
}

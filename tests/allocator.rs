//! The native allocator settings (`src/allocator.rs`), in a process of their own: a block of a
//! few megabytes comes from the heap once they apply, where glibc would map it on its own.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn megabyte_blocks_come_from_the_heap_once_freed_memory_is_kept() {
    let mapped = || unsafe { libc::mallinfo2() }.hblkhd;
    let block = 4 << 20;
    let before = mapped();
    // black_box: an optimised build would otherwise leave out an allocation nothing reads.
    let untuned = std::hint::black_box(vec![1u8; block]);
    assert!(
        mapped() >= before + block,
        "without the settings glibc maps a 4 MiB block on its own"
    );
    drop(untuned);
    assert!(speech_emotion::allocator::keep_freed_memory());
    let before = mapped();
    let tuned = std::hint::black_box(vec![1u8; block]);
    assert!(mapped() < before + block, "the block came from the heap");
    assert_eq!(tuned.iter().map(|&b| usize::from(b)).sum::<usize>(), block);
}

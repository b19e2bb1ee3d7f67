;; memory.grow in several shapes (a plain grow, inside blocks, after SIMD and bulk-memory instructions) for the
;; rewriter's tests. grow(n) returns the old size in pages, or -1.
(module
  (memory (export "memory") 1 100)
  (func $grow (export "grow") (param $n i32) (result i32)
    (block $b (result i32)
      (drop (v128.const i32x4 0x40404040 0x40404040 0x40404040 0x40404040))
      (memory.fill (i32.const 0) (i32.const 64) (i32.const 8))
      (drop (i64.const 0x4040404040))
      (memory.grow (local.get $n))))
  (func (export "size") (result i32) (memory.size))
  (func (export "_start")))

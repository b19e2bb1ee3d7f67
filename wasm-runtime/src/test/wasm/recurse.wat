;; Recurses without end: the engine's call stack runs out, which must be a trap, not a crash of the host.
(module
  (memory (export "memory") 1)
  (func $down (param $n i32) (result i32)
    (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "_start")
    (drop (call $down (i32.const 0)))))

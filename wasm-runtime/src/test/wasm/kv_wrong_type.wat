;; Imports mycelium:kv.get with a type that is not the ABI's.
(module
  (import "mycelium:kv" "get" (func $get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $get (i32.const 0) (i32.const 0)))))

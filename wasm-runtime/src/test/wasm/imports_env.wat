;; Imports a function the host does not provide.
(module
  (import "env" "secret" (func $secret (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $secret))))

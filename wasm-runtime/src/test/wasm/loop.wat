;; A loop without calls or memory accesses: only a cancellation at the loop's back edge can stop it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever
      (br $forever))))

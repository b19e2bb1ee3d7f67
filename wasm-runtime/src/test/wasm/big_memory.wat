;; Declares 400 pages (25 MiB) of initial memory: over a 16 MiB limit before it runs.
(module
  (memory (export "memory") 400)
  (func (export "_start")))

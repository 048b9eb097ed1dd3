"""The synthetic demo city: a deterministic generator of organisations, schools, persons and ledgers.

`ketnap seed --size small|city` calls :func:`ketnap.demo.seed.seed`. Everything is derived from one
`random.Random(seed)` and a fixed `today`, so the same arguments give the same city.
"""

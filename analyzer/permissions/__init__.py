"""The permission algebra, one module per provider (DESIGN.md §4).

Each module answers, for its provider's vocabulary, whether one permission allows
everything another allows. Everything here is pure and total: any input, however
hostile, yields True or False, never an exception. Which module applies to an identity
is its provider spec's business (:mod:`driftgate.analyzer.providers`).
"""

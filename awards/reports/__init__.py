"""Statutory reports filled in from the award history (form 0602.N of Circular 02/2023/TT-BNV)."""

"""Published example data for the meta-analysis golden tests, each with where it was read."""

# BCG vaccine trials (Colditz et al. 1994), as in metafor's dat.bcg / metadat's dat.colditz1994.
# Source: github.com/wviechtb/metadat, data-raw/dat.colditz1994.txt (commit fc2ccb77); the same counts are
# printed on https://metafor-project.org/doku.php/analyses:vanhouwelingen2002
BCG = [
    # trial, author, year, tpos, tneg, cpos, cneg
    (1, "Aronson", 1948, 4, 119, 11, 128),
    (2, "Ferguson & Simes", 1949, 6, 300, 29, 274),
    (3, "Rosenthal et al", 1960, 3, 228, 11, 209),
    (4, "Hart & Sutherland", 1977, 62, 13536, 248, 12619),
    (5, "Frimodt-Moller et al", 1973, 33, 5036, 47, 5761),
    (6, "Stein & Aronson", 1953, 180, 1361, 372, 1079),
    (7, "Vandiviere et al", 1973, 8, 2537, 10, 619),
    (8, "TPT Madras", 1980, 505, 87886, 499, 87892),
    (9, "Coetzee & Berjak", 1968, 29, 7470, 45, 7232),
    (10, "Rosenthal et al", 1961, 17, 1699, 65, 1600),
    (11, "Comstock et al", 1974, 186, 50448, 141, 27197),
    (12, "Comstock & Webster", 1969, 5, 2493, 3, 2338),
    (13, "Comstock et al", 1976, 27, 16886, 29, 17825),
]

# Kacker (2004) interlaboratory example, yi and vi given directly, computed with R metafor.
# Source: github.com/statsmodels/statsmodels, statsmodels/stats/tests/results/results_meta.py (commit 276bc48).
KACKER_YI = [61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9]
KACKER_VI = [0.2025, 1.21, 0.09, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]

# Length of hospital stay (days) in nine stroke-unit trials (Normand 1999, Stat Med 18:321-359, Table VIII).
# Source: github.com/wviechtb/metadat, data-raw/dat.normand1999.txt (commit fc2ccb77).
NORMAND = [
    # source, n1i, m1i, sd1i, n2i, m2i, sd2i
    ("Edinburgh", 155, 55, 47, 156, 75, 64),
    ("Orpington-Mild", 31, 27, 7, 32, 29, 4),
    ("Orpington-Moderate", 75, 64, 17, 71, 119, 29),
    ("Orpington-Severe", 18, 66, 20, 18, 137, 48),
    ("Montreal-Home", 8, 14, 8, 13, 18, 11),
    ("Montreal-Transfer", 57, 19, 7, 52, 18, 4),
    ("Newcastle", 34, 52, 45, 33, 41, 34),
    ("Umea", 110, 21, 16, 183, 31, 27),
    ("Uppsala", 60, 30, 27, 52, 23, 20),
]

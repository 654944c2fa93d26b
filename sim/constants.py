"""Physical constants in SI units, each with its source.

Two Earth models coexist on purpose: SGP4 must be fed the WGS72 constants it was fitted with
(mean elements are only meaningful in the theory that defines them), while the shadow uses the
radius Skyfield's ``is_sunlit`` uses, so that eclipse boundaries agree with Skyfield's geometry.
"""

# Earth radius of the shadow-casting sphere, m. Skyfield ``skyfield.constants.ERAD`` (IERS
# Conventions 2010, table 1.1); used by ``ICRF.is_sunlit``.
EARTH_SHADOW_RADIUS_M = 6_378_136.6

# WGS72 constants as SGP4 uses them (sgp4 ``earth_gravity.wgs72``; Vallado et al., AIAA
# 2006-6753, "Revisiting Spacetrack Report #3").
WGS72_RADIUS_M = 6_378_135.0  # equatorial radius, m
WGS72_MU_M3_S2 = 3.986008e14  # gravitational parameter GM, m³/s²
WGS72_J2 = 1.082616e-3  # second zonal harmonic, dimensionless
WGS72_J3 = -2.53881e-6  # third zonal harmonic, dimensionless
WGS72_J4 = -1.65597e-6  # fourth zonal harmonic, dimensionless

# Earth gravitational parameter GM, m³/s². IERS Conventions 2010 table 1.1 (EGM2008 / WGS84 G1762).
EARTH_MU_M3_S2 = 3.986004418e14
# Earth second zonal harmonic J2 (unnormalised), dimensionless. EGM2008 (C20 = -4.84165e-4).
EARTH_J2 = 1.08263e-3

# Nominal solar radius, m. IAU 2015 Resolution B3.
SUN_RADIUS_M = 6.957e8
# Astronomical unit, m. IAU 2012 Resolution B2 (exact).
AU_M = 149_597_870_700.0

# Tropical year, s: 365.24219 days of 86,400 SI seconds (Meeus, Astronomical Algorithms, 2nd ed.,
# ch. 27, mean value at J2000). The mean Sun's right ascension advances 2π per tropical year,
# which is the node rate a sun-synchronous orbit must match.
TROPICAL_YEAR_S = 365.24219 * 86_400.0

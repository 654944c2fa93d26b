"""Where each satellite flies, as the servicing model reads it (``Slot``): its plane, node,
phase, orbit size and inclination, from the scenario's fleet orbits."""

from __future__ import annotations

from sim.model.servicing.travel import Slot
from sim.orbits import Formation, WalkerShell
from sim.scenario import Scenario


def fleet_slots(scenario: Scenario) -> list[Slot]:
    """One slot per satellite, in satellite-index order."""
    slots: list[Slot] = []
    for group_index, group in enumerate(scenario.fleet):
        orbit = group.orbit
        if isinstance(orbit, WalkerShell):
            for plane_index, plane in enumerate(orbit.plane_groups()):
                reference = plane.reference
                for phase in plane.phases_rad:
                    slots.append(Slot(group_index, plane_index, reference.raan_rad,
                                      reference.arg_latitude_rad + phase,
                                      reference.semi_major_axis_m, reference.inclination_rad))
        elif isinstance(orbit, Formation):
            elements = orbit.orbit
            slot = Slot(group_index, 0, elements.raan_rad,
                        elements.arg_perigee_rad + elements.mean_anomaly_rad,
                        elements.semi_major_axis_m, elements.inclination_rad, formation=True)
            slots.extend([slot] * group.count)
        else:
            slots.extend([Slot(group_index, 0)] * group.count)
    return slots

"""Robotic servicing: servicers that travel by orbital mechanics, depots of spares with their
reordering and launches, satellite replacement, the maintenance policies that decide what is
fixed when, and the cost ledger. Everything here is SimPy-layer state and processes; orbits
arrive as plain slots (``travel.Slot``) built above the model."""

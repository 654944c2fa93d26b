"""``python -m sim`` runs the orbsim command line."""

from sim.cli import main

if __name__ == "__main__":
    main()

"""What the data says on a date: place runs, zone edges, the state; and the questions around it."""

CinemaDemo.Scenarios.record(:rush_hour)

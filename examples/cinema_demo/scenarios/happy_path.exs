CinemaDemo.Scenarios.record(:happy_path)

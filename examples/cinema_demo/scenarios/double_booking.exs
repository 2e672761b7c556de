CinemaDemo.Scenarios.record(:double_booking)

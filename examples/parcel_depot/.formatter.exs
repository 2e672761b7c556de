[inputs: ["{mix,.formatter}.exs", "{lib,scenarios}/**/*.{ex,exs}"], line_length: 110]

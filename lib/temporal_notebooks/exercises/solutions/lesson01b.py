runs_again = {"take_payment"}

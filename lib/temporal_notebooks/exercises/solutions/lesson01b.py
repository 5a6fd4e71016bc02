%%module_file exercise01b
# The steps that run more than once:
runs_again = {"take_payment"}

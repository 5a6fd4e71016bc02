"""Which cell sends the message a lesson's run waits for: the waiting notice of
``runtime/results.py`` adds it to its line when ``await handle.result()`` waits on an idle run.

Keyed by workflow type name, so this module imports no workflow code.
"""

from .runtime import say_who_sends

# 08: `await cart.result()` before §5's checkout waits for the `checkout` update that ends the cart.
say_who_sends(
    "CartWorkflow",
    "the cart ends when it is checked out: run §5's cell "
    "(`checkout = await cart.start_update(CartWorkflow.checkout, …)`), or send `checkout` yourself",
)
# 06: the greeter ends on its `exit` signal.
say_who_sends("GreeterWorkflow", "the greeter ends on its `exit` signal: run the cell that sends it")
